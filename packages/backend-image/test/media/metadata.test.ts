import { describe, expect, it } from 'vitest'
import { exifDateToIso, factsFromTags } from '../../src/media/exif.js'
import { containerDate, parseIso6709 } from '../../src/media/probe-video.js'

describe('EXIF dates', () => {
  it.each([
    [['2024:05:01 10:11:12', '+02:00'], '2024-05-01T10:11:12+02:00'],
    [['2024:05:01 10:11:12', '-07:30', '5'], '2024-05-01T10:11:12.500-07:30'],
    [['2024:05:01 10:11:12', undefined, '123456'], '2024-05-01T10:11:12.123'],
    [['2024:05:01 10:11:12'], '2024-05-01T10:11:12'],
    [['2024:05:01 10:11:12', 'garbage'], '2024-05-01T10:11:12'],
    [['0000:00:00 00:00:00'], undefined],
    [['    :  :     :  :  '], undefined],
    [['2024:13:01 10:11:12'], undefined],
    [[20240501], undefined],
  ] as const)('%j → %s', (args, expected) => {
    expect(exifDateToIso(...(args as unknown as [unknown, unknown?, unknown?]))).toBe(expected)
  })

  it('falls back from DateTimeOriginal to CreateDate; ignores a 0/0 GPS block and empty strings', () => {
    expect(factsFromTags({ CreateDate: '2020:01:02 03:04:05', OffsetTimeDigitized: '+01:00', latitude: 0, longitude: 0, Make: ' \0' }))
      .toEqual({ takenAt: '2020-01-02T03:04:05+01:00' })
  })

  it('lens with its make; ISO under its old name; altitude below sea level', () => {
    expect(factsFromTags({ LensMake: 'Acme', LensModel: '35mm F2', ISOSpeedRatings: 400, latitude: 31.5, longitude: 35.5, GPSAltitude: 430, GPSAltitudeRef: 1 }))
      .toEqual({ camera: { lens: 'Acme 35mm F2' }, exposure: { iso: 400 }, gps: { latitude: 31.5, longitude: 35.5, altitude: -430 } })
  })
})

describe('container metadata', () => {
  it.each([
    ['+48.8584+002.2945/', { latitude: 48.8584, longitude: 2.2945 }],
    ['-33.8568-070.6483+512.3/', { latitude: -33.8568, longitude: -70.6483, altitude: 512.3 }],
    ['+91.0000+000.0000/', undefined],
    ['somewhere', undefined],
  ])('ISO 6709 %s', (value, expected) => {
    expect(parseIso6709(value)).toEqual(expected)
  })

  it.each([
    ['2024-05-01T10:11:12.000000Z', '2024-05-01T10:11:12.000Z'],
    ['2024-05-01T12:11:12+0200', '2024-05-01T12:11:12+02:00'],
    ['1970-01-01T00:00:00.000000Z', undefined],
    ['1904-01-01T00:00:00.000000Z', undefined],
    ['not a date', undefined],
  ])('creation date %s', (value, expected) => {
    expect(containerDate(value)).toBe(expected)
  })
})

import { everlockTsupConfig } from '../../tsup.shared.ts'

export default everlockTsupConfig(['src/index.ts', 'src/testing.ts', 'src/s3.ts', 'src/s3rver.ts'])

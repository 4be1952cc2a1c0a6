// Where the main thread's long tasks go: a Chrome trace (devtools.timeline) read for every task over 50 ms on the
// renderer's main thread, its time split by the kind of work inside it (script, style, layout, paint, GC, image
// decode …), so a regression names its cause instead of just its size.

interface TraceEvent {
  readonly name: string
  readonly ph: string
  readonly ts: number
  readonly dur?: number
  readonly pid: number
  readonly tid: number
  readonly args?: { readonly name?: string; readonly data?: { readonly functionName?: string; readonly url?: string } }
}

export interface LongTaskProfile {
  /** Tasks over 50 ms on the main thread, longest first: duration and the work inside it by kind (ms). */
  readonly tasks: Array<{ readonly ms: number; readonly inside: Record<string, number> }>
  /** The same work summed over all long tasks. */
  readonly total: Record<string, number>
}

/** Trace event names as the kind of work they are; time inside a task not under any of them is 'other'. */
const KINDS: Record<string, string> = {
  FireAnimationFrame: 'script (animation frame)', TimerFire: 'script (timer)', EventDispatch: 'script (event)',
  RunMicrotasks: 'script (promise)', FunctionCall: 'script (callback)', 'v8.callFunction': 'script (callback)',
  EvaluateScript: 'script (load)', 'v8.compile': 'script (load)', 'v8.run': 'script (load)', V8Execute: 'script (load)',
  UpdateLayoutTree: 'style', RecalculateStyles: 'style', ParseAuthorStyleSheet: 'style',
  Layout: 'layout', PrePaint: 'paint', Paint: 'paint', Layerize: 'paint', UpdateLayer: 'paint', Commit: 'paint',
  MinorGC: 'gc', MajorGC: 'gc', 'V8.GC_SCAVENGER': 'gc', 'V8.GC_MARK_COMPACTOR': 'gc', BlinkGC: 'gc',
  'Decode Image': 'image decode', ImageDecodeTask: 'image decode', 'Decode LazyPixelRef': 'image decode',
  ParseHTML: 'html', ResourceReceivedData: 'network', ResourceFinish: 'network', ResourceSendRequest: 'network',
}
/** Counted wherever they occur, also inside script: the time the garbage collector took. */
const GC = new Set(['MinorGC', 'MajorGC'])

export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing']

export function longTaskProfile(trace: Buffer | string): LongTaskProfile {
  const parsed = JSON.parse(String(trace)) as { traceEvents?: TraceEvent[] } | TraceEvent[]
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents ?? []
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  if (!main) return { tasks: [], total: {} }
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts)
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur! > 50_000).sort((a, b) => b.dur! - a.dur!)
  const total: Record<string, number> = {}
  const out = tasks.map((task) => {
    const end = task.ts + task.dur!
    const inside: Record<string, number> = {}
    // Only the outermost event of a known kind counts, so nested script (FunctionCall in TimerFire) is not doubled.
    let coveredUntil = task.ts
    let known = 0
    for (const e of mine) {
      if (e.ts < task.ts || e.ts >= end || e === task) continue
      if (GC.has(e.name) && e.ts < coveredUntil) inside['(gc inside the above)'] = (inside['(gc inside the above)'] ?? 0) + e.dur! / 1000
      const kind = KINDS[e.name]
      if (!kind || e.ts < coveredUntil) continue
      const d = Math.min(e.dur!, end - e.ts)
      inside[kind] = (inside[kind] ?? 0) + d / 1000
      known += d
      coveredUntil = e.ts + d
    }
    inside.other = (task.dur! - known) / 1000
    for (const [k, v] of Object.entries(inside)) total[k] = (total[k] ?? 0) + v
    return { ms: task.dur! / 1000, inside }
  })
  return { tasks: out, total }
}

export function describeProfile(p: LongTaskProfile, top = 5): string {
  const fmt = (r: Record<string, number>) => Object.entries(r).filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')
  if (p.tasks.length === 0) return '  (no task over 50 ms in the trace)'
  return [`  all ${p.tasks.length} long tasks (ms): ${fmt(p.total)}`, ...p.tasks.slice(0, top).map((t) => `  ${t.ms.toFixed(0)} ms: ${fmt(t.inside)}`)].join('\n')
}

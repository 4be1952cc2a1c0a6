import { everlockVitestConfig } from '../../vitest.shared.ts'

export default everlockVitestConfig()

import { everlockVitestConfig } from '../../vitest.shared'

export default everlockVitestConfig()

import { everlockTsupConfig } from '../../tsup.shared.ts'

export default everlockTsupConfig(['src/index.ts', 'src/testing.ts'])

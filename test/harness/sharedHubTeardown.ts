// Jest's global teardown of the e2e package: stops the shared hub, if the setup started one.
export { teardown as default } from './sharedHubSetup';

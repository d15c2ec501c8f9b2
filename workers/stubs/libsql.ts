/**
 * Stand-in for the native `libsql` driver in the Worker bundle (wrangler.toml `[alias]`): the
 * Node-only NativeClickStore imports it, the Worker never constructs it.
 */
export default class NativeLibsqlUnavailable {
  constructor() {
    throw new Error("the native libsql driver is not available on Workers; use @libsql/client/web");
  }
}

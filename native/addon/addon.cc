// Module entry of runt.node: errno-carrying errors and the registration of every file's functions.
#include "addon/addon.h"

#include <errno.h>
#include <string.h>

#include <string>

namespace runt {

static const char *ErrnoName(int err) {
  const char *name = strerrorname_np(err);
  return name ? name : "EUNKNOWN";
}

Napi::Value ThrowErrno(Napi::Env env, int err, const char *syscall, const char *path, const char *detail) {
  std::string msg = std::string(syscall) + ": " + strerror(err);
  if (path) msg += " (" + std::string(path) + ")";
  if (detail) msg += ": " + std::string(detail);
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (path) e.Set("path", Napi::String::New(env, path));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace runt

static Napi::Object InitRuntAddon(Napi::Env env, Napi::Object exports) {
  runt::RegisterFiles(env, exports);
  runt::RegisterSpawn(env, exports);
  runt::RegisterProcess(env, exports);
  runt::RegisterSockets(env, exports);
  runt::RegisterPty(env, exports);
  runt::RegisterBpf(env, exports);
  runt::RegisterSeccomp(env, exports);
  runt::RegisterPlanner(env, exports);
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitRuntAddon)

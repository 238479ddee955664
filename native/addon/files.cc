// File primitives Node's fs lacks: flock(2) and mkfifo(3).
#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "addon/addon.h"

namespace runt {

// flock(fd, exclusive, wait) -> true when taken; false when !wait and another holder has it.
static Napi::Value Flock(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool exclusive = info[1].As<Napi::Boolean>().Value();
  bool wait = info[2].As<Napi::Boolean>().Value();
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int rc;
  do {
    rc = flock(fd, op);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    if (errno == EWOULDBLOCK && !wait) return Napi::Boolean::New(env, false);
    return ThrowErrno(env, errno, "flock");
  }
  return Napi::Boolean::New(env, true);
}

// mkfifo(path, mode)
static Napi::Value Mkfifo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  if (mkfifo(path.c_str(), mode) < 0) return ThrowErrno(env, errno, "mkfifo", path.c_str());
  return env.Undefined();
}

void RegisterFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo));
}

}  // namespace runt

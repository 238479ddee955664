// Child processes and pidfds: waitpid(2), pidfd_open(2), pidfd_send_signal(2).
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addon/addon.h"

namespace runt {

// waitPid(pid, nohang) -> { pid, exited, status, signal } | null (nohang and still running)
// exited: true for a normal exit (status holds the code), false when killed (signal set).
static Napi::Value WaitPid(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  bool nohang = info[1].As<Napi::Boolean>().Value();
  int wstatus = 0;
  pid_t got;
  do {
    got = waitpid(pid, &wstatus, nohang ? WNOHANG : 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return ThrowErrno(env, errno, "waitpid");
  if (got == 0) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, got));
  out.Set("exited", Napi::Boolean::New(env, WIFEXITED(wstatus)));
  out.Set("status", Napi::Number::New(env, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 0));
  out.Set("signal", Napi::Number::New(env, WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0));
  return out;
}

// pidfdOpen(pid) -> fd (close-on-exec)
static Napi::Value PidfdOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return ThrowErrno(env, errno, "pidfd_open");
  return Napi::Number::New(env, static_cast<double>(fd));
}

// pidfdSendSignal(fd, signal)
static Napi::Value PidfdSendSignal(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int sig = info[1].As<Napi::Number>().Int32Value();
  if (syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) < 0) return ThrowErrno(env, errno, "pidfd_send_signal");
  return env.Undefined();
}

// strerror(errno) -> the C library's text, e.g. "No such file or directory"
static Napi::Value StrError(const Napi::CallbackInfo &info) {
  int err = info[0].As<Napi::Number>().Int32Value();
  return Napi::String::New(info.Env(), strerror(err));
}

void RegisterProcess(Napi::Env env, Napi::Object exports) {
  exports.Set("waitPid", Napi::Function::New(env, WaitPid));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal));
  exports.Set("strerror", Napi::Function::New(env, StrError));
}

}  // namespace runt

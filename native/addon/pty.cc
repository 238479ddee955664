// What runt needs to sit between a user's terminal and a container's pty: window sizes,
// the pty's output processing, a private listening socket that receives a pty master,
// and making runt itself unreadable through /proc while a container process runs.
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "addon/addon.h"

namespace runt {

// getWinsize(fd) -> { rows, cols } | null when fd is not a terminal
static Napi::Value GetWinsize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) < 0) {
    if (errno == ENOTTY || errno == EBADF) return env.Null();
    return ThrowErrno(env, errno, "TIOCGWINSZ");
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("rows", Napi::Number::New(env, ws.ws_row));
  out.Set("cols", Napi::Number::New(env, ws.ws_col));
  return out;
}

// setWinsize(fd, rows, cols): the kernel sends SIGWINCH to the pty's foreground group
static Napi::Value SetWinsize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = static_cast<unsigned short>(info[1].As<Napi::Number>().Uint32Value());
  ws.ws_col = static_cast<unsigned short>(info[2].As<Napi::Number>().Uint32Value());
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) return ThrowErrno(env, errno, "TIOCSWINSZ");
  return env.Undefined();
}

// clearOnlcr(masterFd): a new pty turns "\n" into "\r\n"; runt relays bytes to a
// terminal (or file) that does its own output processing, so the pty must not
static Napi::Value ClearOnlcr(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct termios t;
  if (tcgetattr(fd, &t) < 0) return ThrowErrno(env, errno, "tcgetattr");
  t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
  if (tcsetattr(fd, TCSANOW, &t) < 0) return ThrowErrno(env, errno, "tcsetattr");
  return env.Undefined();
}

// unixAccept(fd) -> fd of the next connection (close-on-exec), or null when none is pending
static Napi::Value UnixAccept(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct pollfd p = {fd, POLLIN, 0};
  int ready;
  do {
    ready = poll(&p, 1, 0);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return ThrowErrno(env, errno, "poll");
  if (ready == 0) return env.Null();
  int conn;
  do {
    conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  } while (conn < 0 && errno == EINTR);
  if (conn < 0) return ThrowErrno(env, errno, "accept");
  return Napi::Number::New(env, conn);
}

// setDumpable(bool): a non-dumpable runt cannot be reached through /proc/<pid>/exe or
// /proc/<pid>/fd by a container process without CAP_SYS_PTRACE (CVE-2019-5736)
static Napi::Value SetDumpable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bool on = info[0].As<Napi::Boolean>().Value();
  if (prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0) < 0) return ThrowErrno(env, errno, "prctl PR_SET_DUMPABLE");
  return env.Undefined();
}

void RegisterPty(Napi::Env env, Napi::Object exports) {
  exports.Set("getWinsize", Napi::Function::New(env, GetWinsize));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("clearOnlcr", Napi::Function::New(env, ClearOnlcr));
  exports.Set("unixAccept", Napi::Function::New(env, UnixAccept));
  exports.Set("setDumpable", Napi::Function::New(env, SetDumpable));
}

}  // namespace runt

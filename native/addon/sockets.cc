// Unix sockets as plain descriptors, and passing descriptors over them (SCM_RIGHTS),
// which Node's net module cannot do.
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addon/addon.h"
#include "exec/fdpass.h"

namespace runt {

// The address of a filesystem AF_UNIX socket; false when path is too long for it.
static bool UnixAddress(const std::string &path, struct sockaddr_un *addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof addr->sun_path) return false;
  memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  return true;
}

// unixListen(path) -> fd of a listening AF_UNIX stream socket bound to path (close-on-exec)
static Napi::Value UnixListen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  if (!UnixAddress(path, &addr)) return ThrowErrno(env, ENAMETOOLONG, "bind", path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket");
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) < 0 || listen(fd, 1) < 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "bind", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// unixConnect(path) -> fd of a connected AF_UNIX stream socket (close-on-exec)
static Napi::Value UnixConnect(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  if (!UnixAddress(path, &addr)) return ThrowErrno(env, ENAMETOOLONG, "connect", path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket");
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "connect", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// pollIn(fd, timeoutMs) -> true when fd is readable (or at EOF / hung up), false on timeout
static Napi::Value PollIn(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  struct pollfd p = {info[0].As<Napi::Number>().Int32Value(), POLLIN, 0};
  int timeout = info[1].As<Napi::Number>().Int32Value();
  int rc;
  do {
    rc = poll(&p, 1, timeout);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return ThrowErrno(env, errno, "poll");
  return Napi::Boolean::New(env, rc > 0);
}

// socketPair() -> [fd, fd]: a connected AF_UNIX stream pair (both close-on-exec), e.g. a
// console socket whose other end the runtime reads the pty master from
static Napi::Value SocketPair(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return ThrowErrno(env, errno, "socketpair");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, sv[0]));
  out.Set(1u, Napi::Number::New(env, sv[1]));
  return out;
}

// sendFd(socketFd, fd, payload): one message carrying fd (SCM_RIGHTS) and payload (>= 1 byte)
static Napi::Value SendFd(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  int fd = info[1].As<Napi::Number>().Int32Value();
  std::string payload = info[2].As<Napi::String>().Utf8Value();
  if (payload.empty()) payload.push_back('\0');
  if (runt_send_fd(sock, fd, payload.data(), payload.size()) < 0) return ThrowErrno(env, errno, "sendmsg");
  return env.Undefined();
}

// recvFd(socketFd) -> { fd, payload }: blocks for one message carrying a descriptor;
// the received fd is close-on-exec. Throws EBADMSG when the message has none.
static Napi::Value RecvFd(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  char buf[4096];
  int fd = -1;
  ssize_t n = runt_recv_fd(sock, buf, sizeof buf, &fd);
  if (n < 0) return ThrowErrno(env, errno, "recvmsg");
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("payload", Napi::String::New(env, std::string(buf, static_cast<size_t>(n))));
  return out;
}

// recvSome(socketFd, size) -> { bytes, fd }: one recvmsg(2) of at most size bytes (empty at
// EOF); fd is the descriptor that came with them (close-on-exec), or -1
static Napi::Value RecvSome(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  size_t size = info[1].As<Napi::Number>().Uint32Value();
  Napi::Buffer<char> buf = Napi::Buffer<char>::New(env, size);
  int fd = -1;
  ssize_t n = runt_recv_any(sock, buf.Data(), size, &fd);
  if (n < 0) return ThrowErrno(env, errno, "recvmsg");
  Napi::Object out = Napi::Object::New(env);
  out.Set("bytes", Napi::Buffer<char>::Copy(env, buf.Data(), static_cast<size_t>(n)));
  out.Set("fd", Napi::Number::New(env, fd));
  return out;
}

void RegisterSockets(Napi::Env env, Napi::Object exports) {
  exports.Set("socketPair", Napi::Function::New(env, SocketPair));
  exports.Set("sendFd", Napi::Function::New(env, SendFd));
  exports.Set("recvFd", Napi::Function::New(env, RecvFd));
  exports.Set("recvSome", Napi::Function::New(env, RecvSome));
  exports.Set("unixConnect", Napi::Function::New(env, UnixConnect));
  exports.Set("unixListen", Napi::Function::New(env, UnixListen));
  exports.Set("pollIn", Napi::Function::New(env, PollIn));
}

}  // namespace runt

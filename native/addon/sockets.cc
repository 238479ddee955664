// Unix sockets as plain descriptors, and passing descriptors over them (SCM_RIGHTS),
// which Node's net module cannot do.
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "addon/addon.h"
#include "exec/fdpass.h"

namespace runt {

// The address of an AF_UNIX socket and its length: a filesystem path, or with a leading
// '@' an abstract name (as systemd writes NOTIFY_SOCKET); 0 when path is too long for it.
static socklen_t UnixAddress(const std::string &path, struct sockaddr_un *addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof addr->sun_path) return 0;
  memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  if (path[0] != '@') return sizeof *addr;
  addr->sun_path[0] = '\0';
  return static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size());
}

// A new AF_UNIX socket of this type (close-on-exec) and in addr the address of path;
// -1 with errno (ENAMETOOLONG: path does not fit an address)
static int SocketFor(const std::string &path, int type, struct sockaddr_un *addr, socklen_t *len) {
  *len = UnixAddress(path, addr);
  if (*len == 0) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
}

// fd of an AF_UNIX socket of this type bound to path (close-on-exec), listening if asked
static Napi::Value BoundSocket(Napi::Env env, const std::string &path, int type, bool listening) {
  struct sockaddr_un addr;
  socklen_t len;
  int fd = SocketFor(path, type, &addr, &len);
  if (fd < 0) return ThrowErrno(env, errno, "bind", path.c_str());
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&addr), len) < 0 || (listening && listen(fd, 1) < 0)) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "bind", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// unixListen(path) -> fd of a listening AF_UNIX stream socket bound to path (close-on-exec)
static Napi::Value UnixListen(const Napi::CallbackInfo &info) {
  return BoundSocket(info.Env(), info[0].As<Napi::String>().Utf8Value(), SOCK_STREAM, true);
}

// unixConnect(path) -> fd of a connected AF_UNIX stream socket (close-on-exec)
static Napi::Value UnixConnect(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  socklen_t len;
  int fd = SocketFor(path, SOCK_STREAM, &addr, &len);
  if (fd < 0) return ThrowErrno(env, errno, "connect", path.c_str());
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<struct sockaddr *>(&addr), len);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "connect", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// unixDatagramBind(path) -> fd of an AF_UNIX datagram socket bound to path (close-on-exec)
static Napi::Value UnixDatagramBind(const Napi::CallbackInfo &info) {
  return BoundSocket(info.Env(), info[0].As<Napi::String>().Utf8Value(), SOCK_DGRAM, false);
}

// unixDatagramSend(path, payload): one datagram to the socket at path (sd_notify's way)
static Napi::Value UnixDatagramSend(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<char> payload = info[1].As<Napi::Buffer<char>>();
  struct sockaddr_un addr;
  socklen_t len;
  int fd = SocketFor(path, SOCK_DGRAM, &addr, &len);
  if (fd < 0) return ThrowErrno(env, errno, "sendto", path.c_str());
  ssize_t n;
  do {
    n = sendto(fd, payload.Data(), payload.Length(), MSG_NOSIGNAL, reinterpret_cast<struct sockaddr *>(&addr), len);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (n < 0) return ThrowErrno(env, err, "sendto", path.c_str());
  return env.Undefined();
}

// receiveDatagram(fd) -> Buffer of the next datagram, or null when none is waiting
static Napi::Value ReceiveDatagram(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  char buf[4096];
  ssize_t n;
  do {
    n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return env.Null();
  if (n < 0) return ThrowErrno(env, errno, "recv");
  return Napi::Buffer<char>::Copy(env, buf, static_cast<size_t>(n));
}

int PollWithin(struct pollfd *fds, unsigned long nfds, int timeoutMs) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int left = timeoutMs;
  for (;;) {
    int rc = poll(fds, static_cast<nfds_t>(nfds), left);
    if (rc >= 0 || errno != EINTR) return rc;
    if (timeoutMs < 0) continue;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
    left = spent >= timeoutMs ? 0 : static_cast<int>(timeoutMs - spent);
  }
}

// pollIn(fd, timeoutMs) -> true when fd is readable (or at EOF / hung up), false on timeout
static Napi::Value PollIn(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  struct pollfd p = {info[0].As<Napi::Number>().Int32Value(), POLLIN, 0};
  int rc = PollWithin(&p, 1, info[1].As<Napi::Number>().Int32Value());
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
  exports.Set("unixDatagramBind", Napi::Function::New(env, UnixDatagramBind));
  exports.Set("unixDatagramSend", Napi::Function::New(env, UnixDatagramSend));
  exports.Set("receiveDatagram", Napi::Function::New(env, ReceiveDatagram));
}

}  // namespace runt

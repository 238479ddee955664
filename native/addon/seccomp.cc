// Compiling a seccomp profile to classic BPF with libseccomp, in the runtime (never in a
// container's process). libseccomp.so.2 is dlopen()ed at the first call, so commands
// without seccomp neither load it nor need it installed; <seccomp.h> gives only the
// types and constants. The rules arrive already checked and translated by
// src/seccomp/profile.ts: numeric actions and operators, libseccomp architecture names.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"

namespace runt {

namespace {

struct Libseccomp {
  decltype(&seccomp_init) init;
  decltype(&seccomp_release) release;
  decltype(&seccomp_arch_resolve_name) arch_resolve_name;
  decltype(&seccomp_arch_add) arch_add;
  decltype(&seccomp_syscall_resolve_name) syscall_resolve_name;
  decltype(&seccomp_rule_add_array) rule_add_array;
  decltype(&seccomp_export_bpf) export_bpf;
  decltype(&seccomp_version) version;
};

// The library's entry points, or nullptr with *why set when it cannot be loaded.
const Libseccomp *Load(std::string *why) {
  static Libseccomp lib;
  static bool loaded = false;
  static std::string error;
  if (loaded) return &lib;
  if (!error.empty()) {
    *why = error;
    return nullptr;
  }
  void *h = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    error = std::string("cannot load libseccomp.so.2 (install libseccomp2): ") + (e ? e : "dlopen failed");
    *why = error;
    return nullptr;
  }
  struct { void **slot; const char *name; } syms[] = {
      {reinterpret_cast<void **>(&lib.init), "seccomp_init"},
      {reinterpret_cast<void **>(&lib.release), "seccomp_release"},
      {reinterpret_cast<void **>(&lib.arch_resolve_name), "seccomp_arch_resolve_name"},
      {reinterpret_cast<void **>(&lib.arch_add), "seccomp_arch_add"},
      {reinterpret_cast<void **>(&lib.syscall_resolve_name), "seccomp_syscall_resolve_name"},
      {reinterpret_cast<void **>(&lib.rule_add_array), "seccomp_rule_add_array"},
      {reinterpret_cast<void **>(&lib.export_bpf), "seccomp_export_bpf"},
      {reinterpret_cast<void **>(&lib.version), "seccomp_version"},
  };
  for (auto &s : syms) {
    *s.slot = dlsym(h, s.name);
    if (!*s.slot) {
      error = std::string("libseccomp.so.2 lacks ") + s.name;
      *why = error;
      return nullptr;
    }
  }
  loaded = true;
  return &lib;
}

// Releases the filter context on every way out.
struct Ctx {
  const Libseccomp *lib;
  scmp_filter_ctx ctx;
  ~Ctx() {
    if (ctx) lib->release(ctx);
  }
};

Napi::Value ThrowText(Napi::Env env, const std::string &text, const char *code) {
  Napi::Error e = Napi::Error::New(env, text);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

uint64_t U64(const Napi::Value &v) {
  bool lossless;
  return v.As<Napi::BigInt>().Uint64Value(&lossless);
}

// The exported program as bytes (an array of struct sock_filter).
Napi::Value Export(Napi::Env env, const Libseccomp *lib, scmp_filter_ctx ctx) {
  int fd = memfd_create("runt-seccomp", MFD_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, errno, "memfd_create");
  int rc = lib->export_bpf(ctx, fd);
  off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
  if (rc < 0 || size < 0) {
    close(fd);
    return ThrowErrno(env, rc < 0 ? -rc : errno, "seccomp_export_bpf");
  }
  Napi::Buffer<char> out = Napi::Buffer<char>::New(env, static_cast<size_t>(size));
  size_t got = 0;
  while (got < static_cast<size_t>(size)) {
    ssize_t n = pread(fd, out.Data() + got, static_cast<size_t>(size) - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      return ThrowErrno(env, err, "read", "seccomp filter");
    }
    got += static_cast<size_t>(n);
  }
  close(fd);
  return out;
}

// seccompCompile({ defaultAction, architectures, rules: [{ name, action, args: [{ index, op, a, b }] }] })
//   -> { bpf: Buffer, unknown: string[] }: names libseccomp cannot resolve are skipped and listed
Napi::Value SeccompCompile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string why;
  const Libseccomp *lib = Load(&why);
  if (!lib) return ThrowText(env, why, "ELIBACC");
  Napi::Object profile = info[0].As<Napi::Object>();
  uint32_t def = profile.Get("defaultAction").As<Napi::Number>().Uint32Value();
  Ctx c{lib, lib->init(def)};
  if (!c.ctx) return ThrowText(env, "seccomp_init: the default action is not valid on this host", "EINVAL");

  Napi::Array arches = profile.Get("architectures").As<Napi::Array>();
  for (uint32_t i = 0; i < arches.Length(); i++) {
    std::string name = arches.Get(i).As<Napi::String>().Utf8Value();
    uint32_t token = lib->arch_resolve_name(name.c_str());
    if (token == 0) return ThrowText(env, "architecture " + name + " is not known to this libseccomp", "EINVAL");
    int rc = lib->arch_add(c.ctx, token);
    if (rc < 0 && rc != -EEXIST) return ThrowErrno(env, -rc, "seccomp_arch_add", name.c_str());
  }

  Napi::Array unknown = Napi::Array::New(env);
  Napi::Array rules = profile.Get("rules").As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object rule = rules.Get(i).As<Napi::Object>();
    std::string name = rule.Get("name").As<Napi::String>().Utf8Value();
    int nr = lib->syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      unknown.Set(unknown.Length(), Napi::String::New(env, name));
      continue;
    }
    uint32_t action = rule.Get("action").As<Napi::Number>().Uint32Value();
    Napi::Array args = rule.Get("args").As<Napi::Array>();
    std::vector<struct scmp_arg_cmp> cmps;
    for (uint32_t j = 0; j < args.Length(); j++) {
      Napi::Object a = args.Get(j).As<Napi::Object>();
      struct scmp_arg_cmp cmp;
      cmp.arg = a.Get("index").As<Napi::Number>().Uint32Value();
      cmp.op = static_cast<enum scmp_compare>(a.Get("op").As<Napi::Number>().Uint32Value());
      cmp.datum_a = U64(a.Get("a"));
      cmp.datum_b = U64(a.Get("b"));
      cmps.push_back(cmp);
    }
    int rc = lib->rule_add_array(c.ctx, action, nr, static_cast<unsigned>(cmps.size()), cmps.data());
    if (rc < 0) return ThrowErrno(env, -rc, "seccomp_rule_add", name.c_str());
  }

  Napi::Value bpf = Export(env, lib, c.ctx);
  if (env.IsExceptionPending()) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  out.Set("bpf", bpf);
  out.Set("unknown", unknown);
  return out;
}

// seccompFlagSupported(flag) -> whether seccomp(SECCOMP_SET_MODE_FILTER) knows the flag: with
// no program the kernel checks the flags first (EINVAL), then fails to read it (EFAULT)
Napi::Value SeccompFlagSupported(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  unsigned flag = info[0].As<Napi::Number>().Uint32Value();
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
  return Napi::Boolean::New(env, rc < 0 && errno == EFAULT);
}

// seccompArchKnown(name) -> whether this libseccomp resolves the architecture name ("x86_64")
Napi::Value SeccompArchKnown(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string why;
  const Libseccomp *lib = Load(&why);
  if (!lib) return ThrowText(env, why, "ELIBACC");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(env, lib->arch_resolve_name(name.c_str()) != 0);
}

// seccompVersion() -> "2.5.4", or null when libseccomp cannot be loaded
Napi::Value SeccompVersion(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string why;
  const Libseccomp *lib = Load(&why);
  if (!lib) return env.Null();
  const struct scmp_version *v = lib->version();
  return Napi::String::New(env, std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro));
}

}  // namespace

void RegisterSeccomp(Napi::Env env, Napi::Object exports) {
  exports.Set("seccompCompile", Napi::Function::New(env, SeccompCompile));
  exports.Set("seccompFlagSupported", Napi::Function::New(env, SeccompFlagSupported));
  exports.Set("seccompVersion", Napi::Function::New(env, SeccompVersion));
  exports.Set("seccompArchKnown", Napi::Function::New(env, SeccompArchKnown));
}

}  // namespace runt

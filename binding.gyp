{
  "targets": [
    {
      "target_name": "runt",
      "sources": ["native/addon/addon.cc", "native/addon/files.cc", "native/addon/spawn.cc", "native/addon/process.cc", "native/addon/sockets.cc", "native/addon/pty.cc", "native/addon/bpf.cc", "native/addon/seccomp.cc", "native/addon/planner.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_cc": ["-std=c++17", "-fno-exceptions"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "runt-front",
      "type": "executable",
      "sources": ["native/front/main.c"],
      "include_dirs": ["native"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-std=gnu11"],
      "ldflags": ["-static"]
    },
    {
      "target_name": "runt-exec",
      "type": "executable",
      "sources": ["native/exec/main.c", "native/exec/plan.c", "native/exec/sync.c", "native/exec/namespaces.c", "native/exec/rootfs.c", "native/exec/console.c", "native/exec/process.c", "native/exec/util.c", "native/exec/hooks.c", "native/exec/idmap.c", "native/exec/copyup.c", "native/exec/netdev.c", "native/exec/seccomp.c", "native/exec/attributes.c", "native/exec/lsm.c", "native/exec/procfs.c"],
      "include_dirs": ["native"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-std=gnu11", "-fno-strict-aliasing"],
      "ldflags": ["-static"]
    }
  ]
}

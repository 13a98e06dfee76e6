"""Declares a Debian gcc 12 C++ toolchain for one Linux target architecture.

ipcbox binaries link fully statically (-static) so that a test or example
built here can be copied to a board and run there as it is. Sanitizer builds
cannot link statically, so each host toolchain also comes in a dynamic
flavour that only the sanitizer configs register (see .bazelrc).
"""

load("@bazel_tools//tools/cpp:unix_cc_toolchain_config.bzl", "cc_toolchain_config")
load("@rules_cc//cc:defs.bzl", "cc_toolchain")

_TOOLS = ["ar", "cpp", "gcc", "gcov", "ld", "nm", "objcopy", "objdump", "strip"]

def _tool_paths(prefix):
    paths = {tool: "/usr/bin/%s%s" % (prefix, tool) for tool in _TOOLS}

    # Bazel 4.2.3's unix_cc_toolchain_config reads this entry unconditionally;
    # coverage is not supported, so it points at a tool that always fails.
    paths["llvm-cov"] = "/bin/false"
    return paths

def linux_gcc_toolchain(name, cpu, platform_cpu, tool_prefix, include_directories, extra_compile_flags = [], extra_link_flags = [], static = True):
    """A cc_toolchain plus its toolchain() registration.

    Args:
      name: base name; creates `name` (the toolchain()) and `name`_cc.
      cpu: the cpu string Bazel reports for the target (e.g. "aarch64").
      platform_cpu: the @platforms//cpu constraint the target satisfies.
      tool_prefix: prefix of the gcc binaries, "" for the host compiler.
      include_directories: where the compiler's built-in headers live.
      extra_compile_flags: flags for this target only.
      extra_link_flags: link flags for this target only.
      static: link executables with -static.
    """
    config = name + "_config"
    cc_toolchain_config(
        name = config,
        cpu = cpu,
        compiler = "gcc",
        toolchain_identifier = name,
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = cpu + "-unknown-linux-gnu",
        target_libc = "glibc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        cxx_builtin_include_directories = include_directories,
        tool_paths = _tool_paths(tool_prefix),
        compile_flags = [
            "-Wall",
            "-Wextra",
            "-Wno-sign-compare",
            "-fno-omit-frame-pointer",
            "-fstack-protector-strong",
        ] + extra_compile_flags,
        cxx_flags = ["-std=c++17"],
        dbg_compile_flags = ["-g"],
        opt_compile_flags = [
            "-g0",
            "-O2",
            "-DNDEBUG",
            "-D_FORTIFY_SOURCE=2",
            "-ffunction-sections",
            "-fdata-sections",
        ],
        # gold links a static test binary with about half the CPU time of
        # ld.bfd (measured: 0.35 s against 1.0 s on x86_64, 0.47 s against
        # 1.09 s on armv7), and CI links about a thousand of them.
        link_flags = (["-static"] if static else []) + ["-pthread", "-fuse-ld=gold"] + extra_link_flags,
        opt_link_flags = ["-Wl,--gc-sections"],
        link_libs = ["-lstdc++", "-lm"],
        unfiltered_compile_flags = [
            "-no-canonical-prefixes",
            "-fno-canonical-system-headers",
            "-Wno-builtin-macro-redefined",
            "-D__DATE__=\"redacted\"",
            "-D__TIMESTAMP__=\"redacted\"",
            "-D__TIME__=\"redacted\"",
        ],
        supports_start_end_lib = False,
    )
    cc_toolchain(
        name = name + "_cc",
        all_files = ":empty",
        ar_files = ":empty",
        as_files = ":empty",
        compiler_files = ":empty",
        dwp_files = ":empty",
        linker_files = ":empty",
        objcopy_files = ":empty",
        strip_files = ":empty",
        supports_param_files = True,
        toolchain_config = ":" + config,
        toolchain_identifier = name,
    )
    native.toolchain(
        name = name,
        exec_compatible_with = [
            "@platforms//os:linux",
            "@platforms//cpu:x86_64",
        ],
        target_compatible_with = [
            "@platforms//os:linux",
            platform_cpu,
        ],
        toolchain = ":" + name + "_cc",
        toolchain_type = "@bazel_tools//tools/cpp:toolchain_type",
    )

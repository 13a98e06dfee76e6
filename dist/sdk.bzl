"""ipcbox_sdk: ipcbox as a tarball for builds that are not Bazel.

The archive holds, for the architecture of the current --platforms:

  include/ipcbox/<pkg>/<file>.h   the public headers of the given libraries
                                  (and any internal header one includes,
                                  which check_sdk.sh refuses);
  include/platforms/selected_backends.h
                                  the backends the archive was built for
                                  (public headers include it by that path);
  lib/libipcbox.a                 every object of ipcbox's own libraries
                                  (never Abseil's: a product links Debian's);
  lib/pkgconfig/ipcbox.pc         Requires.private names Debian's Abseil
                                  modules, so `pkg-config --static` lists
                                  them after -lipcbox.

Bazel 4.2.3 has no cc_static_library, so the rule walks CcInfo itself.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

# Bazel's cpu names -> the names the SDK uses.
_ARCH = {"k8": "x86_64", "aarch64": "aarch64", "armv7": "armv7"}

def _is_ours(owner):
    return owner != None and owner.workspace_name == "" and (
        owner.package.startswith("lib/") or owner.package == "platforms"
    )

def _ipcbox_sdk_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    arch = _ARCH.get(cc_toolchain.cpu)
    if not arch:
        fail("ipcbox_sdk: no SDK name for cpu '%s'" % cc_toolchain.cpu)

    headers = []
    objects = []
    defines = []
    for dep in ctx.attr.deps:
        cc = dep[CcInfo]

        # The backend settings reach the code as defines of
        # //platforms:selected_backends; the SDK bakes them into its copy of
        # that header, so a product compiles against the backends the
        # archive was built with.
        defines.extend([d for d in cc.compilation_context.defines.to_list() if d.startswith("IPCBOX_")])
        for h in cc.compilation_context.headers.to_list():
            if h.is_source and _is_ours(h.owner) and h.path.endswith(".h"):
                headers.append(h)
        for linker_input in cc.linking_context.linker_inputs.to_list():
            if not _is_ours(linker_input.owner):
                continue
            for library in linker_input.libraries:
                # Static builds compile non-PIC objects; take whichever set
                # the configuration produced, never both.
                objects.extend(library.objects or library.pic_objects or [])

    defines = depset(defines).to_list()
    headers = depset(headers).to_list()
    objects = depset(objects).to_list()
    if not objects:
        fail("ipcbox_sdk: found no objects of ipcbox's libraries in deps")

    public = [h for h in headers if "/internal/" not in h.path]
    internal = [h for h in headers if "/internal/" in h.path]

    out = ctx.actions.declare_file("ipcbox-sdk-%s.tar.gz" % arch)
    args = ctx.actions.args()
    args.add(out)
    args.add(cc_toolchain.ar_executable)
    args.add(cc_toolchain.nm_executable)
    args.add(ctx.file.pc_template)
    args.add(ctx.attr.version)
    args.add(arch)
    args.add(" ".join(ctx.attr.abseil_modules))
    args.add(ctx.file.license)
    args.add("--defines")
    args.add_all(defines)
    args.add("--public")
    args.add_all(public)
    args.add("--internal")
    args.add_all(internal)
    args.add("--objects")
    args.add_all(objects)
    ctx.actions.run(
        executable = ctx.executable._pack,
        arguments = [args],
        inputs = depset(headers + objects + [ctx.file.pc_template, ctx.file.license]),
        outputs = [out],
        mnemonic = "IpcboxSdk",
        progress_message = "Packing the ipcbox SDK for %s" % arch,
    )
    return [DefaultInfo(files = depset([out]))]

ipcbox_sdk = rule(
    implementation = _ipcbox_sdk_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo], mandatory = True),
        "abseil_modules": attr.string_list(mandatory = True),
        "pc_template": attr.label(allow_single_file = [".pc.in"], mandatory = True),
        # Shipped as share/doc/ipcbox/LICENSE: the licence asks that its
        # notice travel with every copy, and libipcbox.a is one.
        "license": attr.label(allow_single_file = True, mandatory = True),
        "version": attr.string(mandatory = True),
        "_pack": attr.label(
            default = ":pack_sdk",
            executable = True,
            cfg = "exec",
        ),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

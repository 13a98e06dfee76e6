"""binary_for_platform: one cc_binary built for a given platform, whatever
the command line's --platforms, so that one test can run an armv7 and an
x86_64 build of the same program side by side."""

# Sanitizer flags (--config=asan) are dropped: the peer is a plain static
# program, and there is no ARM sanitizer runtime here.
def _platform_transition_impl(settings, attr):
    return {
        "//command_line_option:platforms": str(attr.platform),
        "//command_line_option:copt": [],
        "//command_line_option:linkopt": [],
    }

_platform_transition = transition(
    implementation = _platform_transition_impl,
    inputs = [],
    outputs = [
        "//command_line_option:platforms",
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _binary_for_platform_impl(ctx):
    binary = ctx.attr.binary[0][DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = binary, is_executable = True)
    return [DefaultInfo(
        files = depset([out]),
        runfiles = ctx.runfiles(files = [out, binary]),
        executable = out,
    )]

binary_for_platform = rule(
    implementation = _binary_for_platform_impl,
    attrs = {
        "binary": attr.label(cfg = _platform_transition, mandatory = True),
        "platform": attr.label(mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)

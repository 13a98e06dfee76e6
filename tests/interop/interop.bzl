"""interop_test: an sh_test that runs ipcbox examples against seed programs."""

def interop_test(name, programs, **kwargs):
    """Declares tests/interop/<name>.sh as a test.

    The script is called with the qemu runner, @seed_programs' status file
    and then the runfiles paths of `programs`, in order.
    """
    fixed = ["//toolchains:qemu_runner", "@seed_programs//:status.txt"]
    native.sh_test(
        name = name,
        srcs = [name + ".sh"],
        args = ["$(rootpath %s)" % label for label in fixed + programs],
        data = fixed + programs,
        deps = [":interop"],
        **kwargs
    )

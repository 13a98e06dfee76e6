"""The C++ rules of Bazel 4.2.3, under the names rules_cc gives them.

ipcbox's BUILD files load from @rules_cc as upstream advises; on Bazel 4.2.3
the rules are native, so this file only hands them on.
"""

cc_binary = native.cc_binary
cc_import = native.cc_import
cc_library = native.cc_library
cc_test = native.cc_test
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite

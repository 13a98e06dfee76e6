"""@seed_programs: the seed articles' own C programs, as interop peers.

ipcbox's examples must interoperate with the programs they port. This rule
finds the seed articles (../shared/seeds next to the workspace, or the
directory in $IPCBOX_SEEDS), cuts each C program out of the article text and
declares a cc_binary for it, built for the target architecture like any
other binary. The article text is read at build time and never copied into
the repository.

The headers the article names but does not print (shmem.h, sock.h) are
written here from the values the article states.

From the Chinese summary of pipes and System V IPC come its two
client/server pairs, each in a directory of its own because both include a
"common.h" of different content:
- fifo_chat/: the named-pipe chat (section 1.5), whose common.h the
  article prints and is cut out like the programs;
- sysv_shm/: the System V shared memory pair (section 2.3.3). The article
  prints their header under the name "comon.h" while both programs include
  "common.h"; and its PATH is a directory on the author's machine ("any
  existing path", says its comment), which no test machine has. So
  sysv_shm/common.h is written here: the article's includes, PROJ_ID and
  SIZE (checked against its comon.h when the repository is made) and PATH
  "." (the working directory), so that a test names the key's file by
  where it runs the programs.

Without the seeds, every target is a program that prints why and exits 77,
and :status.txt says "unavailable: <why>"; interop tests read it and skip
saying so (or fail, under IPCBOX_REQUIRE_SEEDS=1; tests/interop/seeds.sh).
"""

# target name -> the title after "Example N. " in the article.
_PROGRAMS = {
    "producer": "The producer program",
    "consumer": "The consumer program",
    "memwriter": "Source code for the memwriter process",
    "memreader": "Source code for the memreader process",
    "pipeUN": "Two processes communicating through an unnamed pipe.",
    "fifoWriter": "The fifoWriter program",
    "fifoReader": "The fifoReader program",
    "sender": "The message sender program",
    "receiver": "The message receiver program",
    "socket_server": "The socket server",
    "socket_client": "The socket client",
    "shutdown": "The graceful shutdown of a multi-processing system",
}

_HEADERS = {
    "queue.h": None,  # printed in the article as "Example 4. The header file queue.h"
    "shmem.h": """\
/* Values stated in the article "Shared storage" (memwriter/memreader). */
#define ByteSize 512
#define BackingFile "/shMemEx"
#define AccessPerms 0644
#define SemaphoreName "mysemaphore"
#define MemContents "This is the way the world ends...\\n"
""",
    "sock.h": """\
/* Values stated in the article "Sockets and signals". */
#define PortNumber 9876
#define MaxConnects 8
#define BuffSize 256
#define ConversationLen 3
#define Host "localhost"
""",
}

# The Chinese summary's listings: target name -> (section, caption, file
# written). Each is cut out by extract_listing.awk: the caption is looked
# for after the line starting with the section's number. (ASCII only: Bazel
# 4 passes a non-ASCII argument to awk or grep through the JVM's encoding,
# which may not be UTF-8.)
_SUMMARY_SECTION_FIFO = "1.5 "
_SUMMARY_SECTION_SHM = "2.3.3 "

_SUMMARY_PROGRAMS = {
    "fifo_chat_server": (_SUMMARY_SECTION_FIFO, "server.c", "fifo_chat/server.c"),
    "fifo_chat_client": (_SUMMARY_SECTION_FIFO, "client.c", "fifo_chat/client.c"),
    "sysv_shm_server": (_SUMMARY_SECTION_SHM, "server.c", "sysv_shm/server.c"),
    "sysv_shm_client": (_SUMMARY_SECTION_SHM, "client.c", "sysv_shm/client.c"),
}

# The article's comon.h, under the name the programs include, with PATH made
# an existing path (see the top of this file). The #defines it must agree
# with are checked against the article's comon.h.
_SYSV_SHM_COMMON_H = """\
/* The Chinese summary's comon.h (section 2.3.3), which server.c and
 * client.c include as "common.h". PATH is "any existing path" (the
 * article's comment); the article's own is a directory on its author's
 * machine, so here it is the working directory. */
#pragma once
#include <stdio.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#define PATH "."
#define PROJ_ID 3
#define SIZE 4096
"""

_SYSV_SHM_FACTS = ["#define PROJ_ID 3", "#define SIZE 4096"]

_UNAVAILABLE = """\
#include <stdio.h>
int main(void) {
  fprintf(stderr, "seed programs unavailable: %s\\n", REASON);
  return 77;
}
"""

def _find_article(repository_ctx, seeds_dir, text):
    found = repository_ctx.execute(["grep", "-l", "-r", "-F", text, seeds_dir])
    files = sorted(found.stdout.splitlines())
    return files[0] if files else None

def _extract(repository_ctx, awk, article, title):
    result = repository_ctx.execute(["awk", "-v", "title=" + title, "-f", awk, article])
    if result.return_code != 0 or not result.stdout.strip():
        fail("could not find \"%s\" in %s" % (title, article))
    return result.stdout

def _extract_listing(repository_ctx, awk, article, section, caption, kind, out):
    """Writes the listing to `out`; awk writes it, so its bytes are the article's."""
    out_path = repository_ctx.path(out)
    repository_ctx.execute(["mkdir", "-p", str(out_path.dirname)])
    result = repository_ctx.execute([
        "awk",
        "-v",
        "section=" + section,
        "-v",
        "caption=" + caption,
        "-v",
        "kind=" + kind,
        "-v",
        "out=%s" % out_path,
        "-f",
        awk,
        article,
    ])
    if result.return_code != 0:
        fail("could not find the %s \"%s\" after \"%s\" in %s" % (kind, caption, section, article))

def _binary(name, src, headers = None):
    return """cc_binary(
    name = "{name}",
    srcs = ["{src}"] + {headers},
    # -U_FORTIFY_SOURCE: optimised builds (embedded) define it, and then
    # glibc turns the article's open(O_CREAT) without a mode into a compile
    # error; the programs are built as the article prints them.
    copts = ["-w", "-std=gnu11", "-U_FORTIFY_SOURCE"],
    linkopts = ["-lrt", "-lpthread"],
)
""".format(name = name, src = src, headers = headers or 'glob(["*.h"])')

def _write_unavailable(repository_ctx, reason):
    repository_ctx.file("unavailable.c", "#define REASON %r\n" % reason + _UNAVAILABLE)
    names = list(_PROGRAMS) + list(_SUMMARY_PROGRAMS)
    return "\n".join([_binary(name, "unavailable.c") for name in names])

def _write_summary_programs(repository_ctx, summary):
    """Cuts the Chinese summary's pairs out; returns their BUILD text."""
    awk = repository_ctx.path(Label("//third_party/seeds:extract_listing.awk"))
    _extract_listing(repository_ctx, awk, summary, _SUMMARY_SECTION_FIFO, "common.h", "header", "fifo_chat/common.h")

    # Only to check the facts sysv_shm/common.h is written from.
    _extract_listing(repository_ctx, awk, summary, _SUMMARY_SECTION_SHM, "comon.h", "header", "sysv_shm/comon.h.txt")
    comon = repository_ctx.read("sysv_shm/comon.h.txt")
    for fact in _SYSV_SHM_FACTS:
        if fact not in comon:
            fail("the article's comon.h no longer says \"%s\"; update _SYSV_SHM_COMMON_H" % fact)
    repository_ctx.file("sysv_shm/common.h", _SYSV_SHM_COMMON_H)

    build = []
    for name, listing in _SUMMARY_PROGRAMS.items():
        section, caption, path = listing
        _extract_listing(repository_ctx, awk, summary, section, caption, "program", path)
        header = "\"%s/common.h\"" % path.split("/")[0]
        build.append(_binary(name, path, "[%s]" % header))
    return "\n".join(build)

def _seed_programs_impl(repository_ctx):
    workspace = repository_ctx.path(Label("//:WORKSPACE")).dirname
    seeds_dir = repository_ctx.os.environ.get("IPCBOX_SEEDS", "%s/../shared/seeds" % workspace)
    article = None
    summary = None
    if repository_ctx.path(seeds_dir).exists:
        article = _find_article(repository_ctx, seeds_dir, "Example 1. The producer program")
        summary = _find_article(repository_ctx, seeds_dir, "serve&client")
    awk = repository_ctx.path(Label("//third_party/seeds:extract_example.awk"))
    build = ['# Generated by //third_party/seeds:seed_programs.bzl.\npackage(default_visibility = ["//visibility:public"])\n']
    build.append('exports_files(["status.txt"])\n')
    if article == None or summary == None:
        missing = [what for what, found in [("the article series", article), ("the Chinese summary", summary)] if found == None]
        reason = "%s not found in %s" % (" and ".join(missing), seeds_dir)
        repository_ctx.file("status.txt", "unavailable: %s\n" % reason)
        build.append(_write_unavailable(repository_ctx, reason))
    else:
        repository_ctx.file("status.txt", "available: %s %s\n" % (article, summary))
        for header, text in _HEADERS.items():
            repository_ctx.file(header, text or _extract(repository_ctx, awk, article, "The header file " + header))
        for name, title in _PROGRAMS.items():
            repository_ctx.file(name + ".c", _extract(repository_ctx, awk, article, title))
            build.append(_binary(name, name + ".c"))
        build.append(_write_summary_programs(repository_ctx, summary))
    repository_ctx.file("WORKSPACE", "workspace(name = \"seed_programs\")\n")
    repository_ctx.file("BUILD.bazel", "\n".join(build))

seed_programs_repository = repository_rule(
    implementation = _seed_programs_impl,
    environ = ["IPCBOX_SEEDS"],
    local = True,
)

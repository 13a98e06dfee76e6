// Escape() makes a value observable to the optimiser without generating any
// code, so that a test's deliberate work (an allocation that proves a counter
// can fail, a loop whose result is otherwise unused) is not removed at -O2:
//
//   void* p = malloc(16);
//   ipcbox::testing::Escape(p);  // g++ may no longer elide the malloc/free.
//   free(p);
//
// The empty asm statement claims to read the pointer and to clobber memory,
// which the compiler cannot see through.

#ifndef IPCBOX_TESTS_SUPPORT_ESCAPE_H_
#define IPCBOX_TESTS_SUPPORT_ESCAPE_H_

namespace ipcbox::testing {

inline void Escape(const void* ptr) {
  asm volatile("" : : "g"(ptr) : "memory");
}

// Forces every value the compiler keeps in registers to be written to memory
// (and re-read afterwards), as if an unknown function had been called.
inline void ClobberMemory() { asm volatile("" : : : "memory"); }

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_ESCAPE_H_

// Function multiversioning for the vector loops: a portable build (no -march) still runs
// them with AVX2 or AVX-512 where the CPU has them; GCC picks the clone when the module
// loads. (Not under the address or thread sanitizers, whose runtimes are not ready when
// the ifunc resolvers run.)
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define EMU_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define EMU_MULTIVERSION
#endif

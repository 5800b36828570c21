// OpenBLAS's CBLAS interface (apt: libopenblas-dev, pkg-config: openblas). No logic here.
#include <cblas.h>

// Stops OpenBLAS's own worker threads (exported by every 0.3.x pthreads build, which calls
// it before a fork); they start again only if OpenBLAS is asked for more than one thread.
void blas_thread_shutdown_(void);

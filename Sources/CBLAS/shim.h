// OpenBLAS's CBLAS interface (apt: libopenblas-dev, pkg-config: openblas). No logic here.
#include <cblas.h>

// libjpeg-turbo's TurboJPEG API (tjDecompress2 and friends return error codes: no setjmp) for
// load_images (apt: libturbojpeg0-dev, pkg-config: libturbojpeg). No logic here.
#include <turbojpeg.h>

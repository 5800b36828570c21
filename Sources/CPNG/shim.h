// libpng's simplified API (png_image_*: no setjmp needed) for load_images (apt: libpng-dev,
// pkg-config: libpng). No logic here.
#include <png.h>

// libzmq's C API (apt: libzmq3-dev, pkg-config: libzmq). No logic here.
#include <zmq.h>

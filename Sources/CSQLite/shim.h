// SQLite's C API (apt: libsqlite3-dev, pkg-config: sqlite3). No logic here.
#include <sqlite3.h>

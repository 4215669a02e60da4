# FindXRT: Xilinx Runtime as Debian packages it (libxrt-dev 2.13), which ships no CMake config
# and a pkg-config file with a broken prefix. Defines XRT::coreutil (the native C++ API).
find_path(XRT_INCLUDE_DIR NAMES xrt/xrt_device.h PATH_SUFFIXES xrt)
find_library(XRT_COREUTIL_LIBRARY NAMES xrt_coreutil)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(XRT REQUIRED_VARS XRT_INCLUDE_DIR XRT_COREUTIL_LIBRARY)

if(XRT_FOUND AND NOT TARGET XRT::coreutil)
  add_library(XRT::coreutil UNKNOWN IMPORTED)
  # XRT_INCLUDE_DIR is /usr/include/xrt: sources include <xrt/xrt_device.h> and <experimental/xrt_ip.h>.
  set_target_properties(XRT::coreutil PROPERTIES
    IMPORTED_LOCATION "${XRT_COREUTIL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${XRT_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(XRT_INCLUDE_DIR XRT_COREUTIL_LIBRARY)

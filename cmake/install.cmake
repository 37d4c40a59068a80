# Installs the C++ client library as a CMake package:
#
#   cmake --install build/release --prefix /opt/tracktry
#   # consumer CMakeLists.txt:
#   find_package(tracktry_client CONFIG REQUIRED)   # CMAKE_PREFIX_PATH=/opt/tracktry
#   target_link_libraries(app PRIVATE tracktry::tracktry_client)
#
# Installed: the static libraries tracktry_client and what it links
# (tracktry_proto, tracktry_googleapis_proto, tracktry_common), their
# headers under include/ with the same paths as in
# the repository ("client/tracking_client.h", "common/error_details.h",
# "tracktry/v1/tracking_service.grpc.pb.h", ...), the `tracktry` CLI, and
# lib/cmake/tracktry_client/ (config, version, exported targets). The
# package finds gRPC, Protobuf and Abseil itself (find_dependency).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TRACKTRY_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/tracktry_client")

install(TARGETS tracktry_client tracktry_proto tracktry_googleapis_proto
                tracktry_common
        EXPORT tracktry_clientTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS tracktry_cli_main RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

install(FILES client/tracking_client.h client/grpc_status_conversion.h
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/client")
install(DIRECTORY common/ DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/common"
        FILES_MATCHING PATTERN "*.h")
# Generated protobuf/gRPC headers (tracktry/v1, google/rpc, grpc/health/v1).
install(DIRECTORY "${PROJECT_BINARY_DIR}/proto/gen/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h")

install(EXPORT tracktry_clientTargets
        NAMESPACE tracktry::
        DESTINATION "${TRACKTRY_CMAKE_DIR}")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/tracktry_clientConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/tracktry_clientConfig.cmake"
  INSTALL_DESTINATION "${TRACKTRY_CMAKE_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/tracktry_clientConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tracktry_clientConfig.cmake"
              "${PROJECT_BINARY_DIR}/tracktry_clientConfigVersion.cmake"
        DESTINATION "${TRACKTRY_CMAKE_DIR}")

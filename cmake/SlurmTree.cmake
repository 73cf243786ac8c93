# SPDX-License-Identifier: GPL-2.0-or-later
# Locates a configured Slurm source tree for the plugin build and checks that
# its version is exactly the installed slurmctld's: a select plugin is loaded
# only by the Slurm release it was built for (plugin_version is compared
# major.minor.micro), and it reads slurmctld's structures directly.
#
# Sets SLURM_TREE_INCLUDE_DIRS, SLURM_TREE_VERSION, SLURM_PLUGIN_DIR.

if(NOT SLURM_SRC_DIR)
	message(STATUS "Slurm tree: none given, fetching the source of the installed slurmctld")
	execute_process(
		COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/slurm-source.sh
		OUTPUT_VARIABLE _pb_tree OUTPUT_STRIP_TRAILING_WHITESPACE
		RESULT_VARIABLE _pb_rc)
	if(NOT _pb_rc EQUAL 0)
		message(FATAL_ERROR "could not obtain a configured Slurm tree; "
			"pass -DSLURM_SRC_DIR=<configured tree> or -DPB_BUILD_PLUGIN=OFF")
	endif()
	set(SLURM_SRC_DIR "${_pb_tree}" CACHE PATH "" FORCE)
endif()

foreach(_f config.h slurm/slurm_version.h src/slurmctld/slurmctld.h)
	if(NOT EXISTS "${SLURM_SRC_DIR}/${_f}")
		message(FATAL_ERROR "SLURM_SRC_DIR=${SLURM_SRC_DIR} is not a configured "
			"Slurm tree: ${_f} is missing (run its ./configure first)")
	endif()
endforeach()

file(STRINGS "${SLURM_SRC_DIR}/config.h" _pb_vline
	REGEX "^#define SLURM_VERSION_STRING ")
string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" SLURM_TREE_VERSION "${_pb_vline}")

# The installed daemon's version, unless the site says it builds for another
# machine (PB_SKIP_SLURM_VERSION_CHECK=ON, e.g. when packaging for a chroot).
option(PB_SKIP_SLURM_VERSION_CHECK "Do not compare the tree with the installed slurmctld" OFF)
if(NOT PB_SKIP_SLURM_VERSION_CHECK)
	find_program(SLURMCTLD_EXECUTABLE slurmctld PATHS /usr/sbin /usr/local/sbin)
	if(NOT SLURMCTLD_EXECUTABLE)
		message(FATAL_ERROR "slurmctld not found: cannot check the Slurm tree "
			"(${SLURM_TREE_VERSION}) against it; install slurmctld or set "
			"-DPB_SKIP_SLURM_VERSION_CHECK=ON")
	endif()
	execute_process(COMMAND ${SLURMCTLD_EXECUTABLE} -V
		OUTPUT_VARIABLE _pb_dv OUTPUT_STRIP_TRAILING_WHITESPACE)
	string(REGEX REPLACE "^[^0-9]*([0-9][0-9.]*).*" "\\1" SLURMCTLD_VERSION "${_pb_dv}")
	if(NOT SLURMCTLD_VERSION STREQUAL SLURM_TREE_VERSION)
		message(FATAL_ERROR "Slurm version mismatch: the source tree "
			"${SLURM_SRC_DIR} is ${SLURM_TREE_VERSION} but the installed "
			"slurmctld is ${SLURMCTLD_VERSION}; build against the source "
			"of exactly the running release")
	endif()
endif()
message(STATUS "Slurm tree: ${SLURM_SRC_DIR} (version ${SLURM_TREE_VERSION})")

set(SLURM_TREE_INCLUDE_DIRS "${SLURM_SRC_DIR}" "${SLURM_SRC_DIR}/slurm")

# Where slurmctld looks for plugins: beside the installed select/cons_tres.
find_file(_pb_cons_tres select_cons_tres.so
	PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/slurm-wlm /usr/lib64/slurm
		/usr/lib/slurm /usr/local/lib/slurm NO_DEFAULT_PATH)
if(_pb_cons_tres)
	get_filename_component(_pb_pdir "${_pb_cons_tres}" DIRECTORY)
else()
	set(_pb_pdir "${CMAKE_INSTALL_PREFIX}/lib/slurm")
endif()
set(SLURM_PLUGIN_DIR "${_pb_pdir}" CACHE PATH "Slurm's plugin directory (PluginDir)")

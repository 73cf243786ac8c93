# SPDX-License-Identifier: GPL-2.0-or-later
# The project's warnings, as options of each target of ours rather than
# flags of every directory: pb_warnings carries them, and pb_warn_targets
# links it into every target the build defines.  A target waives one for
# one file with set_source_files_properties (plugin/CMakeLists.txt), and
# nothing that is not ours gets them.
add_library(pb_warnings INTERFACE)
target_compile_options(pb_warnings INTERFACE
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
	$<$<BOOL:${PB_WERROR}>:-Werror>)

# pb_warnings into every compiled target defined under dir, recursively.
function(pb_warn_targets dir)
	get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
	foreach(t IN LISTS targets)
		get_target_property(type ${t} TYPE)
		if(NOT type STREQUAL "INTERFACE_LIBRARY" AND
		   NOT type STREQUAL "UTILITY")
			target_link_libraries(${t} PRIVATE pb_warnings)
		endif()
	endforeach()
	get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
	foreach(d IN LISTS subdirs)
		pb_warn_targets(${d})
	endforeach()
endfunction()

# SPDX-License-Identifier: GPL-2.0-or-later
# pb_add_unit_test(NAME SOURCES src... [LIBS lib...])
# Builds a cmocka test and registers it as ctest "unit.NAME" (label unit); with
# PB_VALGRIND also as "valgrind.NAME", which fails on any memory error or leak.
find_program(VALGRIND_EXECUTABLE valgrind)
# Asked for, the valgrind tests must exist: without valgrind they would
# silently not be registered and the run would pass without them.
if(PB_VALGRIND AND NOT PB_SANITIZE AND NOT VALGRIND_EXECUTABLE)
	message(FATAL_ERROR "PB_VALGRIND=ON needs valgrind (Debian package "
		"valgrind; scripts/install-deps.sh installs it)")
endif()

function(pb_add_unit_test name)
	cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
	add_executable(test_${name} ${T_SOURCES})
	target_link_libraries(test_${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
	target_compile_definitions(test_${name} PRIVATE
		PB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
	add_test(NAME unit.${name} COMMAND test_${name})
	set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 300)
	if(PB_VALGRIND AND VALGRIND_EXECUTABLE AND NOT PB_SANITIZE)
		add_test(NAME valgrind.${name}
			COMMAND ${VALGRIND_EXECUTABLE} --quiet --error-exitcode=99
				--child-silent-after-fork=yes
				--leak-check=full --errors-for-leak-kinds=definite,indirect
				$<TARGET_FILE:test_${name}>)
		set_tests_properties(valgrind.${name} PROPERTIES LABELS valgrind TIMEOUT 900)
	endif()
endfunction()

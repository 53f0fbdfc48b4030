# Run as: cmake -DPROMTOOL=<promtool> -DRULES_DIR=<resources/prometheus> -P check_prometheus_rules.cmake
# Issue 17: the shipped alerting and recording rules load (`promtool check rules`) and every
# alert fires and stays quiet where starling-rules.test.yml says (`promtool test rules`).
cmake_minimum_required(VERSION 3.20)
if(NOT PROMTOOL OR NOT EXISTS "${PROMTOOL}")
    message(FATAL_ERROR "promtool not found: install the Debian package prometheus (make deps)")
endif()
foreach(step "check;rules;starling-rules.yml" "test;rules;starling-rules.test.yml")
    execute_process(COMMAND "${PROMTOOL}" ${step}
        WORKING_DIRECTORY "${RULES_DIR}"
        RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
    string(REPLACE ";" " " shown "${step}")
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "promtool ${shown} failed (${result}):\n${out}${err}")
    endif()
    message(STATUS "promtool ${shown}: ${out}")
endforeach()

# Run as: cmake -DSOURCE_DIR=<repo> -P check_layering.cmake
cmake_minimum_required(VERSION 3.20)
# Two kinds of rule. Between the top folders: each rule is a folder, a regular expression of
# forbidden includes, and the reason. Inside core: each sub-folder names the sub-folders it may
# include, with the reason; any other core sub-folder it includes is a violation, so a new
# dependency is a decision written here, not an accident.
set(rules
    "core|#include[ \t]*[<\"](QtWidgets|QtGui|QtCharts|QtOpenGL|QWidget|QMainWindow|QApplication|QGuiApplication|QChart|QPainter|QImage|QPixmap|QColor|mpi\\.h)|core must not use widgets, GUI, charts or MPI"
    "core|#include[ \t]*\"(mpi_backend|ui|app)/|core is below every other top folder"
    "ui|#include[ \t]*[<\"](mpi\\.h|mpi_backend/)|ui must not use MPI"
    "mpi_backend|#include[ \t]*[<\"](QtWidgets|QtCharts|QWidget|QChart|QApplication)|mpi_backend must not use widgets or charts")

# core sub-folder | the sub-folders it may include | why
set(core_rules
    "util||helpers with no domain knowledge: everything may use them, they use nothing"
    "protocol|sched util|the message catalogue every layer reads and writes: nothing it describes may depend back on it (it carries sched's cost estimates as they are)"
    "sched|util|the papers' strategies are pure arithmetic over a platform"
    "sim|sched util|the simulator runs the strategies on a simulated star"
    "cluster|protocol sched util|nodes, their states and the failure detector speak the catalogue and pick strategies"
    "bridge|cluster protocol util|the bridge carries cluster snapshots and catalogue events"
    "consolemodel|bridge cluster protocol util|the console's model reads the cluster through the bridge"
    "transfer|cluster sched util|plans split files over the cluster's nodes by a strategy"
    "image|util|codecs and kernels know pixels only"
    "jobs|image protocol sched util|jobs cut images into strips by a strategy"
    "client|image protocol transfer util|get and job speak to the master: transfer plans and image uploads"
    "http|transfer util|the HTTP servers serve exported files, the API's routes live with the master"
    "tls|util|a server's certificate and key checked with OpenSSL, and the throw-away CA: no domain")

set(violations 0)
foreach(rule IN LISTS rules)
    string(REPLACE "|" ";" parts "${rule}")
    list(GET parts 0 folder)
    list(LENGTH parts count)
    math(EXPR last "${count} - 1")
    list(GET parts ${last} reason)
    list(SUBLIST parts 1 ${last} pattern_parts)
    string(REPLACE ";" "|" pattern "${pattern_parts}")
    file(GLOB_RECURSE sources "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cpp")
    if(NOT sources)
        message(SEND_ERROR "no sources found under ${SOURCE_DIR}/${folder}")
        math(EXPR violations "${violations} + 1")
    endif()
    foreach(source IN LISTS sources)
        file(STRINGS "${source}" hits REGEX "${pattern}")
        if(hits)
            message(SEND_ERROR "${source}: ${reason}: ${hits}")
            math(EXPR violations "${violations} + 1")
        endif()
    endforeach()
endforeach()

file(GLOB core_dirs LIST_DIRECTORIES true RELATIVE "${SOURCE_DIR}/core" "${SOURCE_DIR}/core/*")
set(core_folders "")
foreach(dir IN LISTS core_dirs)
    if(IS_DIRECTORY "${SOURCE_DIR}/core/${dir}")
        list(APPEND core_folders "${dir}")
    endif()
endforeach()
set(ruled_folders "")
foreach(rule IN LISTS core_rules)
    string(REPLACE "|" ";" parts "${rule}")
    list(GET parts 0 folder)
    list(GET parts 1 allowed)
    list(GET parts 2 reason)
    list(APPEND ruled_folders "${folder}")
    separate_arguments(allowed)
    set(forbidden "${core_folders}")
    list(REMOVE_ITEM forbidden ${folder} ${allowed})
    if(NOT forbidden)
        continue()
    endif()
    string(REPLACE ";" "|" alternatives "${forbidden}")
    file(GLOB sources "${SOURCE_DIR}/core/${folder}/*.h" "${SOURCE_DIR}/core/${folder}/*.cpp")
    foreach(source IN LISTS sources)
        file(STRINGS "${source}" hits REGEX "#include[ \t]*\"(${alternatives})/")
        if(hits)
            message(SEND_ERROR "${source}: core/${folder} may include only [${allowed}] "
                               "(${reason}): ${hits}")
            math(EXPR violations "${violations} + 1")
        endif()
    endforeach()
endforeach()
# Every core sub-folder has a rule: a new folder must say where it sits.
foreach(folder IN LISTS core_folders)
    if(NOT folder IN_LIST ruled_folders)
        message(SEND_ERROR "core/${folder} has no rule in check_layering.cmake")
        math(EXPR violations "${violations} + 1")
    endif()
endforeach()

# CMake's own view: core's link interface must not pull in GUI, widgets, charts or MPI.
file(READ "${SOURCE_DIR}/core/CMakeLists.txt" core_cmake)
if(core_cmake MATCHES "Qt6::(Gui|Widgets|Charts)|MPI::")
    message(SEND_ERROR "core/CMakeLists.txt links GUI, widgets, charts or MPI")
    math(EXPR violations "${violations} + 1")
endif()
if(violations GREATER 0)
    message(FATAL_ERROR "layering: ${violations} violation(s)")
endif()
list(LENGTH core_folders folder_count)
message(STATUS "layering: core, ui and mpi_backend follow the dependency rule; "
               "${folder_count} core sub-folders follow theirs")

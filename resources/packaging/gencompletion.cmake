# Writes the bash completion of `starling` from its own help texts, so it cannot drift from
# them: the commands listed by `starling --help` (and the subcommands of a command whose help is
# such a list, as `starling lab --help`), and each command's options from its --help.
#   cmake -DSTARLING=build/bin/starling -DOUTPUT=FILE -P gencompletion.cmake
cmake_minimum_required(VERSION 3.25)

function(help_text out)
    execute_process(COMMAND ${STARLING} ${ARGN} --help OUTPUT_VARIABLE text ERROR_VARIABLE text
        RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "starling ${ARGN} --help exited with ${result}: ${text}")
    endif()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# A hand-written usage list ("usage: starling ...", then "  name   what it does" lines).
function(listed_commands text out)
    set(words)
    if(text MATCHES "^usage: ")
        string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*  " lines "${text}")
        foreach(line IN LISTS lines)
            string(STRIP "${line}" word)
            list(APPEND words ${word})
        endforeach()
    endif()
    set(${out} ${words} PARENT_SCOPE)
endfunction()

# QCommandLineParser's "Options:" section: "  -o, --output <file>   ...".
function(listed_options text out)
    set(words)
    string(FIND "${text}" "\nOptions:\n" start)
    if(start GREATER_EQUAL 0)
        string(SUBSTRING "${text}" ${start} -1 options)
        string(FIND "${options}" "\nArguments:\n" end)
        if(end GREATER 0)
            string(SUBSTRING "${options}" 0 ${end} options)
        endif()
        string(REGEX MATCHALL "\n  -[^ ,\n]+(, -[^ ,\n]+)*" lines "${options}")
        foreach(line IN LISTS lines)
            string(REGEX MATCHALL "-[-A-Za-z0-9?]+" names "${line}")
            list(APPEND words ${names})
        endforeach()
    endif()
    set(${out} ${words} PARENT_SCOPE)
endfunction()

set(subcommand_cases "")
set(option_cases "")
function(describe path)
    string(REPLACE " " ";" words "${path}")
    list(POP_FRONT words)
    help_text(text ${words})
    listed_commands("${text}" commands)
    listed_options("${text}" options)
    list(JOIN commands " " commands_line)
    list(JOIN options " " options_line)
    if(commands)
        string(APPEND subcommand_cases "        \"${path}\") echo \"${commands_line}\" ;;\n")
    endif()
    if(options)
        string(APPEND option_cases "        \"${path}\") echo \"${options_line}\" ;;\n")
    endif()
    list(LENGTH words depth)
    if(depth LESS 2)
        foreach(command IN LISTS commands)
            describe("${path} ${command}")
        endforeach()
    endif()
    set(subcommand_cases "${subcommand_cases}" PARENT_SCOPE)
    set(option_cases "${option_cases}" PARENT_SCOPE)
endfunction()
describe("starling")

file(WRITE ${OUTPUT} "# bash completion for starling(1); generated at build time from its --help texts
# (resources/packaging/gencompletion.cmake), do not edit.

_starling_subcommands()
{
    case \"$1\" in
${subcommand_cases}    esac
}

_starling_options()
{
    case \"$1\" in
${option_cases}    esac
}

_starling()
{
    local cur=\${COMP_WORDS[COMP_CWORD]} path=starling i
    # The command path typed so far (\"starling lab up\"), up to the first word that is none.
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ \" $(_starling_subcommands \"$path\") \" == *\" \${COMP_WORDS[i]} \"* ]] || break
        path=\"$path \${COMP_WORDS[i]}\"
    done
    COMPREPLY=()
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W \"$(_starling_options \"$path\")\" -- \"$cur\"))
    elif ((i == COMP_CWORD)); then
        COMPREPLY=($(compgen -W \"$(_starling_subcommands \"$path\")\" -- \"$cur\"))
    fi
} &&
    complete -o default -F _starling starling
")

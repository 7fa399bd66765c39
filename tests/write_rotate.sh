#!/bin/sh
. "$(dirname "$0")/tap.sh"
skip_all "todo"

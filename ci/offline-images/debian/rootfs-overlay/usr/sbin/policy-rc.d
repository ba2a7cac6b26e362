#!/bin/sh
# Package scripts must not start services while an image is built (there is no init system).
exit 101

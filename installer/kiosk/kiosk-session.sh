#!/bin/sh
# X session of the dedicated kiosk user (see docs/installer.md): no desktop, no screen
# blanking, the pointer hidden after a moment, and loket-desktop kept running by systemd
# (or by this loop where the user manager is not available).
set -u
xset s off -dpms s noblank 2>/dev/null || true
command -v unclutter >/dev/null 2>&1 && unclutter -idle 3 -root &
if systemctl --user show-environment >/dev/null 2>&1; then
    systemctl --user import-environment DISPLAY XAUTHORITY
    systemctl --user start loket-kiosk.service
    # The session lives as long as the service is wanted.
    exec sleep infinity
fi
while true; do
    /usr/bin/loket-desktop
    sleep 2
done

#!/bin/sh
# The compose file's `backup` service: a backup every night at BACKUP_AT (UTC, HH:MM) into
# /backups, keeping the newest BACKUP_KEEP (README, "Backup and restore"). /tmp/backup-status
# says how the last one went; the service's health check reads it.
set -u
at="${BACKUP_AT:-01:30}"
keep="${BACKUP_KEEP:-14}"
echo waiting > /tmp/backup-status
while true; do
    now=$(date -u +%s)
    next=$(date -u -d "$at" +%s)
    if [ "$next" -le "$now" ]; then next=$((next + 86400)); fi
    sleep $((next - now))
    if python manage.py backup /backups --keep "$keep"; then
        echo ok > /tmp/backup-status
    else
        echo failed > /tmp/backup-status
    fi
done

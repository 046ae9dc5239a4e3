#!/usr/bin/env bash
# Installs the system packages the recorder and the emulators need (Debian/Ubuntu), or says exactly
# what is missing and how to get it. Safe to run again: it does nothing when all are present.
# `--tests` adds what only the tests use: VLC, which the recorder tests play the files in, iptables,
# with which the partition tests drop packets inside a network namespace, and (as root) Docker and
# debootstrap, which the recorder image tests build and run the image with.
set -euo pipefail
need=()
if [ "${1:-}" = "--tests" ]; then
  # Debian splits VLC: vlc-bin alone has no demuxers.
  if ! command -v cvlc >/dev/null 2>&1 || { command -v dpkg >/dev/null 2>&1 && ! dpkg -s vlc-plugin-base >/dev/null 2>&1; }; then
    need+=(vlc-bin vlc-plugin-base)
  fi
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
  # The recorder image tests start their own Docker engine, which only root can.
  if [ "$(id -u)" -eq 0 ]; then
    [ -x /usr/sbin/dockerd ] || need+=(docker.io)
    [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
  fi
fi
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v pulseaudio >/dev/null 2>&1 || need+=(pulseaudio)
command -v pactl >/dev/null 2>&1 && command -v parec >/dev/null 2>&1 || need+=(pulseaudio-utils)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# Read the list first: `grep -q` stopping early would SIGPIPE fc-list and fail the pipeline.
fonts=$(fc-list : family 2>/dev/null || true)
grep -qi 'Noto Sans CJK' <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi 'Noto Color Emoji' <<<"$fonts" || need+=(fonts-noto-color-emoji)
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
cmd="apt-get install -y --no-install-recommends ${need[*]}"
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get update && sudo $cmd" >&2
      exit 1
    fi
  fi
  echo "Installing system packages: ${need[*]}" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo $cmd -qq >&2
else
  echo "Missing system packages: ${need[*]} (Chromium, ffmpeg with ffprobe, Xvfb, PulseAudio, Java 17+, iproute2, Noto CJK and emoji fonts; VLC for the tests). Install them with your system's package manager." >&2
  exit 1
fi

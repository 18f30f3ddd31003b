"""Where the run's temporary folders go: /dev/shm only when it is a memory file system with room."""

from __future__ import annotations

from tests.conftest import MEMORY_TEMP_ROOM, memory_temp_root

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
tmpfs /dev/shm tmpfs rw,relatime,size=24684084k 0 0
"""
ON_DISK = MOUNTS.replace("tmpfs /dev/shm tmpfs", "/dev/vdb /dev/shm ext4")
ROOM = MEMORY_TEMP_ROOM


def test_a_memory_file_system_with_room_is_used() -> None:
    assert memory_temp_root(MOUNTS, ROOM, ROOM)


def test_a_disk_a_small_dev_shm_or_little_memory_is_not() -> None:
    assert not memory_temp_root(ON_DISK, ROOM, ROOM)
    assert not memory_temp_root(MOUNTS.replace("/dev/shm", "/run/shm"), ROOM, ROOM)
    assert not memory_temp_root(MOUNTS, 64 * 2**20, ROOM)  # a container's default /dev/shm of 64 MB
    assert not memory_temp_root(MOUNTS, ROOM, ROOM - 1)

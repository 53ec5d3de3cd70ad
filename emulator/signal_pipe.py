"""How a running kernel learns that a signal (Ctrl-C) arrived without taking the GIL.

Python's own C-level signal handler writes a byte to its wakeup file descriptor
(`signal.set_wakeup_fd`) whenever a signal arrives. For the length of a run, SignalPipe
points that descriptor at a pipe of its own; the kernel reads the other end between steps
(a non-blocking read, no GIL) and takes the GIL to run Python's handlers only when a byte
came. Taking the GIL every few milliseconds instead would stall the kernel whenever
another Python thread computes. Afterwards the displaced descriptor (an event loop's, say)
gets every byte that arrived, as if it had never been displaced.
"""
import os
import signal


class SignalPipe:
    """Context manager: `fd` is the pipe's reading end for the kernel, or -1 where there
    is no wakeup descriptor to take over (not the main thread, or a platform where it must
    be a socket); the kernel then checks for signals with the GIL at every poll."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.fd = -1

    def __enter__(self):
        if not self.enabled:
            return self
        read_end, write_end = os.pipe()
        try:
            os.set_blocking(read_end, False)
            os.set_blocking(write_end, False)
            self._displaced = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except (ValueError, OSError):
            os.close(read_end)
            os.close(write_end)
            return self
        self.fd, self._write_end, self._received = read_end, write_end, b""
        return self

    def received(self, data):
        """Bytes the kernel read from the pipe, to pass on on exit."""
        if self.fd >= 0:
            self._received += data

    def __exit__(self, *exc):
        if self.fd < 0:
            return False
        signal.set_wakeup_fd(self._displaced)
        data = self._received
        try:
            while chunk := os.read(self.fd, 4096):
                data += chunk
        except BlockingIOError:
            pass
        if data and self._displaced >= 0:
            try:
                os.write(self._displaced, data)
            except OSError:  # its owner's buffer is full or it is closed: theirs to mind
                pass
        os.close(self.fd)
        os.close(self._write_end)
        self.fd = -1
        return False

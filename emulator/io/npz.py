"""Reading the project's .npz files (programs, results) safely: no pickles, and every way
a file can be something else becomes a ProgramFormatError."""
import zipfile

import numpy as np

from ..errors import ProgramFormatError


def read_npz(path, what):
    """The arrays of an .npz file; anything else (a missing archive, an .npy, a damaged
    zip) raises ProgramFormatError naming `what` was expected (FileNotFoundError as is)."""
    try:
        z = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ProgramFormatError(f"{what} file {path!r} is not readable: {e}") from e
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise ProgramFormatError(f"{what} file {path!r} holds one array (.npy); a {what} "
                                 "file is an .npz archive")
    try:
        with z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ProgramFormatError(f"{what} file {path!r} is damaged: {e}") from e

"""PyInstaller runtime hook, added only when a CPU-only torch is bundled with a CUDA build of torchvision.

PyPI's Linux torchvision wheels are CUDA builds: their compiled ops (`_C`) link
libtorch_cuda and cannot load against a CPU torch, and torchvision's `_meta_registrations`
then fails at import ("operator torchvision::nms does not exist", pytorch/vision#9085).
The app uses only torchvision's model builders (pure Python), never its ops, so an empty
`torchvision._meta_registrations` is registered before torchvision is imported. Matching
CPU wheels from the PyTorch CPU index make this hook unnecessary (build.spec then omits it).
"""

import sys
import types

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))

"""Why a photo yields no feature; the picture-search route maps each to its vendor error code."""


class FaceImageError(Exception):
    """A photo that cannot give a face feature."""


class ImageDecodeError(FaceImageError):
    """The bytes are not a decodable image (vendor code IMAGE_DECODE_ERROR)."""


class NoFaceError(FaceImageError):
    """The image decodes but holds no face (vendor code NO_FACE_ERROR)."""

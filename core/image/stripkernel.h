#pragma once

#include "image/imagebuffer.h"
#include "image/imageop.h"
#include "util/expected.h"

namespace starling::image {

// Runs `op` on one strip of an image. `haloStrip` holds the image rows
// [begin - haloTop, end + haloBottom): the strip's own rows with the halo rows above and below
// that its op needs, clamped at the image's edges (as rowsplit's withHalo() gives them), so a
// halo shorter than op.haloRows() means that side is the image's real edge. The result is the
// op's output for rows [begin, end) only.
//
// Byte-identity: whatever the split, the rows equal those of applyToImage() on the whole
// image, because both run the same code: the rows are padded to exactly op.haloRows() on each
// side (real halo rows where there are some, the op's border rule where the image ends), the
// op runs on that, and the padding is cut off. An output row depends only on rows within the
// halo, so it sees the same inputs in every split. Border rules (OpenCV's defaults for each
// op): blur and sobel reflect without repeating the edge (BORDER_REFLECT_101), median repeats
// the edge (BORDER_REPLICATE).
//
// OpenCV runs single-threaded here: the slaves of one machine must not fight over its cores,
// and a slave's speed is what its profile says.
Expected<ImageBuffer> applyToStrip(const ImageOp &op, const ImageBuffer &haloStrip, int haloTop,
                                   int haloBottom);

// The one-process reference (`starling job --local`): the whole image as one strip.
Expected<ImageBuffer> applyToImage(const ImageOp &op, const ImageBuffer &image);

} // namespace starling::image

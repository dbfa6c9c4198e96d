#!/usr/bin/env bash
# Redraws Hearth's icon (a house with a fire in the hearth) with ImageMagick 6 and
# regenerates every size with the Tauri CLI. Run from the repository root.
set -euo pipefail
src=$(mktemp --suffix=.png)
trap 'rm -f "$src"' EXIT
convert -size 1024x1024 xc:none \
  -fill '#0b3954' -draw 'roundrectangle 48,48 976,976 200,200' \
  -fill white -draw 'polygon 512,190 170,480 258,480 258,830 766,830 766,480 854,480' \
  -fill '#f47738' -draw "path 'M 512 790 C 425 790 372 730 372 655 C 372 565 452 522 474 425 C 548 478 566 545 548 610 C 580 592 600 560 606 525 C 646 568 662 615 662 658 C 662 735 602 790 512 790 Z'" \
  -fill '#ffdd00' -draw "path 'M 512 790 C 470 790 446 762 446 728 C 446 690 478 668 490 630 C 528 660 540 700 530 735 C 548 726 558 712 562 698 C 576 716 580 733 580 746 C 580 774 552 790 512 790 Z'" \
  -depth 8 "$src"
npx tauri icon "$src" -o icons
rm -rf icons/android icons/ios

"""Segmentation on analog crossbars: synthetic data, an SE fully convolutional network, its
kernel-first mapping onto tiles, pruning, and Dice/IoU through the fast tile model."""

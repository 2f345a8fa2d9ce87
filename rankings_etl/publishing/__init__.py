"""What the project publishes over every dataset: the chart, the citable exports, and the
assets that write them."""

// Representational power of networks: linear regions on a slice, trajectory length through depth.
export { linearRegions, type LinearRegions, type LinearRegionsOptions } from "./regions.js";
export { trajectoryLength, polygonLength, type TrajectoryLength, type TrajectoryLayer, type TrajectoryOptions } from "./trajectory.js";
export { type PlaneOptions, type Point } from "./plane.js";
export { linearRegionsAlongLine, type LineRegions, type LineRegionsOptions } from "./line.js";

/** One palette for CSS, charts and grids, so a buy is the same green everywhere. */
export const palette = {
  bg: '#0f1217',
  panel: '#151a21',
  panelAlt: '#1b212a',
  border: '#262e39',
  text: '#d5dbe3',
  textDim: '#8793a3',
  accent: '#4c9ffe',
  up: '#26a69a',
  down: '#ef5350',
  warn: '#f0b429',
  grid: '#1d232c',
  series: ['#f0b429', '#4c9ffe', '#c678dd', '#56b6c2', '#e5c07b', '#98c379', '#d19a66', '#61afef'],
} as const;

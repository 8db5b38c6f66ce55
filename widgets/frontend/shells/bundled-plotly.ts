/** Side-effect module: gives the views the plotly.js bundled into this shell. */
import Plotly from 'plotly.js-dist-min';
import { providePlotly } from '../plotly-provider';

providePlotly(Plotly);

import type { ApplianceTypeSpec } from './types.js';

export const airConditioner = {
  type: 'air_conditioner',
  displayName: { en: 'Air conditioner', zh: '空调' },
  metrics: [
    { name: 'indoor_temp_c', unit: '°C', type: 'number', valid: [-30, 70], typical: [16, 30], description: 'Room air temperature at the indoor unit' },
    { name: 'setpoint_c', unit: '°C', type: 'number', valid: [10, 35], typical: [18, 28], description: 'Target room temperature' },
    { name: 'outdoor_temp_c', unit: '°C', type: 'number', valid: [-40, 70], typical: [-10, 40], description: 'Outdoor air temperature at the outdoor unit' },
    { name: 'indoor_humidity_pct', unit: '%', type: 'number', valid: [0, 100], typical: [30, 70], description: 'Room relative humidity' },
    { name: 'supply_air_temp_c', unit: '°C', type: 'number', valid: [-10, 80], typical: [8, 50], description: 'Air temperature leaving the indoor unit' },
    { name: 'coil_temp_c', unit: '°C', type: 'number', valid: [-30, 90], typical: [0, 55], description: 'Indoor coil temperature' },
    { name: 'compressor_freq_hz', unit: 'Hz', type: 'number', valid: [0, 150], typical: [0, 90], description: 'Inverter compressor frequency' },
    { name: 'compressor_current_a', unit: 'A', type: 'number', valid: [0, 40], typical: [0, 12], description: 'Compressor current' },
    { name: 'discharge_pressure_kpa', unit: 'kPa', type: 'number', valid: [0, 5000], typical: [1500, 3500], description: 'Refrigerant high-side pressure' },
    { name: 'suction_pressure_kpa', unit: 'kPa', type: 'number', valid: [0, 2500], typical: [400, 1200], description: 'Refrigerant low-side pressure' },
    { name: 'filter_dp_pa', unit: 'Pa', type: 'number', valid: [0, 500], typical: [10, 120], description: 'Pressure drop across the air filter' },
  ],
  states: [
    { name: 'mode', values: ['off', 'cool', 'heat', 'dry', 'fan', 'auto'], description: 'Operating mode' },
    { name: 'fan_speed', values: ['auto', 'low', 'medium', 'high'], description: 'Indoor fan speed' },
    { name: 'defrost', values: 'boolean', description: 'Outdoor coil defrost running (heating mode)' },
  ],
  faults: [
    { code: 'E-REF-01', faultClass: 'refrigerant', meaning: 'Refrigerant charge low (suction pressure and superheat out of band)', severity: 'critical', needsVisit: true, likelyPart: 'refrigerant leak repair kit', customerText: { en: 'Your air conditioner is losing refrigerant and cools poorly.', zh: '您的空调冷媒不足，制冷效果变差。' } },
    { code: 'E-CMP-01', faultClass: 'compressor', meaning: 'Compressor overcurrent', severity: 'critical', needsVisit: true, likelyPart: 'compressor', customerText: { en: 'The compressor of your air conditioner is overloaded and has stopped.', zh: '您空调的压缩机过载，已停止运行。' } },
    { code: 'E-HPS-01', faultClass: 'high_pressure', meaning: 'High-pressure switch tripped', severity: 'critical', needsVisit: true, likelyPart: 'outdoor fan motor', customerText: { en: 'Your air conditioner stopped because of high pressure in the outdoor unit.', zh: '您的空调室外机压力过高，已停止运行。' } },
    { code: 'E-FAN-01', faultClass: 'fan', meaning: 'Indoor fan motor does not reach speed', severity: 'warning', needsVisit: true, likelyPart: 'indoor fan motor', customerText: { en: 'The indoor fan of your air conditioner is not working properly.', zh: '您空调的室内风扇运行异常。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Indoor coil temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'coil temperature sensor', customerText: { en: 'A temperature sensor in your air conditioner has failed.', zh: '您空调的温度传感器出现故障。' } },
    { code: 'E-COM-01', faultClass: 'communication', meaning: 'No communication between indoor and outdoor unit', severity: 'critical', needsVisit: true, likelyPart: 'outdoor unit control board', customerText: { en: 'The indoor and outdoor units of your air conditioner cannot talk to each other.', zh: '您空调的室内机与室外机通信中断。' } },
    { code: 'E-DRN-01', faultClass: 'condensate', meaning: 'Condensate tray full, drain blocked', severity: 'warning', needsVisit: true, likelyPart: 'condensate pump', customerText: { en: 'Water may drip from your air conditioner; its drain is blocked.', zh: '您空调的排水管堵塞，可能会滴水。' } },
    { code: 'E-PCB-01', faultClass: 'electrical', meaning: 'Inverter board over temperature', severity: 'safety', needsVisit: true, likelyPart: 'inverter board', customerText: { en: 'The electronics of your air conditioner are overheating. Switch it off at the breaker and do not use it until checked.', zh: '您空调的电路板温度过高。请关闭电源开关，在检查前请勿使用。' } },
    { code: 'W-FLT-01', faultClass: 'filter', meaning: 'Air filter dirty', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Please clean the air filter of your air conditioner.', zh: '请清洗空调的空气过滤网。' } },
  ],
} as const satisfies ApplianceTypeSpec;
